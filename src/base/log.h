/* Diagnostic logging to stderr with Ansible-style verbosity levels
 * (-v = 1 … -vvvv = 4). Messages are for operators; results and errors the
 * user asked for are printed by the output layer, not here. */
#ifndef DROVER_BASE_LOG_H
#define DROVER_BASE_LOG_H

enum log_level {
	LOG_ERROR = -2,
	LOG_WARN = -1,
	LOG_INFO = 0,
	LOG_V1 = 1,
	LOG_V2 = 2,
	LOG_V3 = 3,
	LOG_V4 = 4,
};

/* Sets the program name prefixed to messages (borrowed; must outlive use). */
void log_set_prog(const char *prog);
/* Sets the verbosity: messages above it are dropped. */
void log_set_verbosity(int v);
int log_verbosity(void);
/* Returns non-zero when a message at level would be printed. */
int log_enabled(int level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_v(n, ...) do { if (log_enabled(n)) log_msg((n), __VA_ARGS__); } while (0)

#endif
