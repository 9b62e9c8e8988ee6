/*
 * sysprobe: makes one system call inside a container and prints "NAME=0" or "NAME=ERRNO" (the errno number).
 * Built by the integration tests with clang, static and without a libc, so any image can run it.
 *
 *   sysprobe keyctl        keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, create)
 *   sysprobe ptrace PID    ptrace(PTRACE_ATTACH, PID), then PTRACE_DETACH when it was attached
 */
typedef unsigned long u64;

static long sys(long n, long a, long b, long c, long d)
{
    long r;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return r;
}

enum { SYS_write = 1, SYS_exit = 60, SYS_ptrace = 101, SYS_wait4 = 61, SYS_keyctl = 250 };

static int len(const char *s) { int n = 0; while (s[n]) n++; return n; }

static void report(const char *name, long r)
{
    char buf[64];
    int n = 0;
    for (int i = 0; name[i] && n < 40; i++) buf[n++] = name[i];
    buf[n++] = '=';
    u64 v = r < 0 ? (u64)-r : 0;
    char digits[24];
    int d = 0;
    do { digits[d++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (d) buf[n++] = digits[--d];
    buf[n++] = '\n';
    sys(SYS_write, 1, (long)buf, n, 0);
}

static long number(const char *s)
{
    long v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return v;
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

void entry(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    int status = 2;
    if (argc >= 2 && same(argv[1], "keyctl")) {
        report("keyctl", sys(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* KEY_SPEC_SESSION_KEYRING */, 1, 0));
        status = 0;
    } else if (argc >= 3 && same(argv[1], "ptrace")) {
        long pid = number(argv[2]);
        long r = sys(SYS_ptrace, 16 /* PTRACE_ATTACH */, pid, 0, 0);
        report("ptrace", r);
        if (r == 0) {
            int st;
            sys(SYS_wait4, pid, (long)&st, 0x40000000 /* __WALL */, 0);
            sys(SYS_ptrace, 17 /* PTRACE_DETACH */, pid, 0, 0);
        }
        status = 0;
    } else {
        const char *usage = "usage: sysprobe keyctl | ptrace PID\n";
        sys(SYS_write, 2, (long)usage, len(usage), 0);
    }
    sys(SYS_exit, status, 0, 0, 0);
}

__asm__(".globl _start\n_start:\n mov %rsp, %rdi\n and $-16, %rsp\n call entry\n hlt\n");
