/*
 * Replays a fuzz corpus through a target's entry point without libFuzzer, so
 * `make check` runs every seed (and every input added after a finding) with
 * the ordinary build. Each input runs in a child process: a crash or a
 * violated property is one "not ok" line, and the other inputs still run.
 *
 *   replay [--tap] [FILE|DIR]...   default: the target's corpus directory
 */

#include <errno.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the corpus directory"
#endif

static gint replay_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a corpus directory, sorted so the TAP lines are stable. */
static void replay_add_dir(GPtrArray *files, const char *dir)
{
	GError *err = NULL;
	GDir *d = g_dir_open(dir, 0, &err);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	guint i;

	if (!d) {
		/* reported as a failing input below */
		g_ptr_array_add(files, g_strdup(dir));
		g_error_free(err);
		g_ptr_array_free(names, TRUE);
		return;
	}
	while ((name = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	g_ptr_array_sort(names, replay_cmp);
	for (i = 0; i < names->len; i++)
		g_ptr_array_add(files, g_build_filename(dir, (char *)g_ptr_array_index(names, i), NULL));
	g_ptr_array_free(names, TRUE);
}

/* Run one input in a child; 0 when the entry point returned normally. */
static int replay_one(const char *path, char **why)
{
	char *data = NULL;
	gsize len = 0;
	GError *err = NULL;
	pid_t pid;
	int status;

	if (!g_file_get_contents(path, &data, &len, &err)) {
		*why = g_strdup(err->message);
		g_error_free(err);
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		*why = g_strdup_printf("fork: %s", g_strerror(errno));
		g_free(data);
		return -1;
	}
	if (pid == 0) {
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		_exit(0);
	}
	g_free(data);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			*why = g_strdup_printf("waitpid: %s", g_strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		*why = g_strdup_printf("killed by signal %d", WTERMSIG(status));
	else
		*why = g_strdup_printf("exit status %d", WEXITSTATUS(status));
	return -1;
}

int main(int argc, char **argv)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	int failed = 0;
	guint i;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--tap") == 0)
			continue;
		if (g_file_test(argv[a], G_FILE_TEST_IS_DIR))
			replay_add_dir(files, argv[a]);
		else
			g_ptr_array_add(files, g_strdup(argv[a]));
	}
	if (files->len == 0) {
		const char *srcdir = g_getenv("FLOM_SRCDIR");
		char *dir = g_build_filename(srcdir ? srcdir : FUZZ_SRCDIR, "tests", "fuzz", "corpus",
					     FUZZ_TARGET, NULL);

		replay_add_dir(files, dir);
		g_free(dir);
	}
	printf("1..%u\n", files->len);
	for (i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);
		char *base = g_path_get_basename(path);
		char *why = NULL;

		if (replay_one(path, &why) == 0) {
			printf("ok %u - %s/%s\n", i + 1, FUZZ_TARGET, base);
		} else {
			printf("not ok %u - %s/%s: %s\n", i + 1, FUZZ_TARGET, base, why);
			failed++;
		}
		g_free(why);
		g_free(base);
	}
	g_ptr_array_free(files, TRUE);
	return failed ? 1 : 0;
}
