/* panic.h - an impossible state in the harness itself: report it as an ERROR and end the run. */
#ifndef PANIC_H
#define PANIC_H
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
#endif
