/* Runs the fuzz target without libFuzzer: replays files and folders, then mutates them (or random bytes) for a time or a number of runs. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXLEN 512

struct unit {
    uint8_t *p;
    size_t n;
};

static struct unit *units;
static size_t nunits, capunits;

static void add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    uint8_t *buf = malloc(1 << 20);
    if (!buf)
        exit(2);
    size_t n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    if (nunits == capunits) {
        capunits = capunits ? 2 * capunits : 64;
        units = realloc(units, capunits * sizeof *units);
        if (!units)
            exit(2);
    }
    units[nunits].p = buf;
    units[nunits++].n = n;
}

static void add_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(2);
    }
    if (!S_ISDIR(st.st_mode)) {
        add_file(path);
        return;
    }
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        add_path(sub);
    }
    if (d)
        closedir(d);
}

/* The input being run, saved to crash-input if the target dies on it. */
static uint8_t buf[MAXLEN];
static size_t buflen;
static volatile sig_atomic_t in_random;

static void save_input(void)
{
    if (!in_random)
        return;
    int fd = open("crash-input", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        ssize_t w = write(fd, buf, buflen);
        (void)w;
        close(fd);
    }
    static const char msg[] = "fr_fuzz_run: input saved to ./crash-input\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
}

static void on_abort(int sig)
{
    save_input();
    signal(sig, SIG_DFL);
    raise(sig);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_DEATH_CALLBACK 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(HAVE_DEATH_CALLBACK)
#define HAVE_DEATH_CALLBACK 1
#endif
#ifdef HAVE_DEATH_CALLBACK
#include <sanitizer/common_interface_defs.h>
#endif

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    double seconds = 0;
    long long runs = 0;
    uint64_t seed = (uint64_t)time(NULL);
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "-max_total_time=", 16))
            seconds = atof(argv[i] + 16);
        else if (!strncmp(argv[i], "-runs=", 6))
            runs = atoll(argv[i] + 6);
        else if (!strncmp(argv[i], "-seed=", 6))
            seed = strtoull(argv[i] + 6, NULL, 0);
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: %s [-max_total_time=S] [-runs=N] [-seed=N] "
                    "[file|dir ...]\n", argv[0]);
            return 2;
        } else
            add_path(argv[i]);
    }
    for (size_t i = 0; i < nunits; i++)
        LLVMFuzzerTestOneInput(units[i].p, units[i].n);
    printf("replayed %zu inputs\n", nunits);
    if (!seconds && !runs)
        return 0;

    printf("random inputs, seed %llu\n", (unsigned long long)seed);
    fflush(stdout);
    signal(SIGABRT, on_abort);
    signal(SIGSEGV, on_abort);
#ifdef HAVE_DEATH_CALLBACK
    __sanitizer_set_death_callback(save_input);
#endif
    in_random = 1;
    double end = now() + seconds;
    long long done = 0;
    while ((!runs || done < runs) && (!seconds || now() < end)) {
        size_t n;
        if (nunits && rnd(&seed) % 4) { /* mutate a corpus input */
            const struct unit *u = &units[rnd(&seed) % nunits];
            n = u->n < MAXLEN ? u->n : MAXLEN;
            memcpy(buf, u->p, n);
            int flips = 1 + (int)(rnd(&seed) % 4);
            for (int k = 0; k < flips && n; k++)
                buf[rnd(&seed) % n] ^= (uint8_t)(1u << (rnd(&seed) % 8));
            if (n && rnd(&seed) % 2)
                buf[rnd(&seed) % n] = (uint8_t)rnd(&seed);
        } else {
            n = (size_t)(rnd(&seed) % 64);
            for (size_t k = 0; k < n; k++)
                buf[k] = (uint8_t)rnd(&seed);
        }
        buflen = n;
        LLVMFuzzerTestOneInput(buf, n);
        done++;
    }
    printf("ran %lld random inputs, no failure\n", done);
    return 0;
}
