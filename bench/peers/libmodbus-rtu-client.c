/*
 * libmodbus RTU client loop for the RTU benchmark: one request at a time.
 *
 *   libmodbus-rtu-client DEVICE BAUD SECONDS ROUNDS WARMUP_SECONDS
 *
 * Reads 10 holding registers from address 0 of unit 1: WARMUP_SECONDS unmeasured, then ROUNDS rounds of SECONDS,
 * printing "reads=N seconds=S cpu=C" per round (C = this process's CPU seconds in the round).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <modbus.h>

#define COUNT 10

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static long read_for(modbus_t *ctx, double seconds, uint16_t *registers)
{
    double deadline = now_seconds() + seconds;
    long reads = 0;
    while (now_seconds() < deadline) {
        if (modbus_read_registers(ctx, 0, COUNT, registers) != COUNT) {
            fprintf(stderr, "modbus_read_registers: %s\n", modbus_strerror(errno));
            return -1;
        }
        reads++;
    }
    return reads;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s DEVICE BAUD SECONDS ROUNDS WARMUP_SECONDS\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[3]);
    int rounds = atoi(argv[4]);
    double warmup = atof(argv[5]);
    modbus_t *ctx = modbus_new_rtu(argv[1], atoi(argv[2]), 'N', 8, 1);
    if (ctx == NULL || modbus_set_slave(ctx, 1) != 0 || modbus_connect(ctx) != 0) {
        fprintf(stderr, "open %s: %s\n", argv[1], modbus_strerror(errno));
        return 1;
    }
    modbus_set_response_timeout(ctx, 2, 0);
    uint16_t registers[COUNT];
    if (modbus_read_registers(ctx, 0, COUNT, registers) != COUNT) {
        fprintf(stderr, "modbus_read_registers: %s\n", modbus_strerror(errno));
        return 1;
    }
    for (int i = 0; i < COUNT; i++) {
        if (registers[i] != (uint16_t)((i * 7 + 3) & 0xFFFF)) {
            fprintf(stderr, "register %d = %u, expected %u\n", i, registers[i], (unsigned)((i * 7 + 3) & 0xFFFF));
            return 1;
        }
    }
    if (warmup > 0 && read_for(ctx, warmup, registers) < 0) return 1;
    for (int round = 0; round < rounds; round++) {
        double cpu_start = cpu_seconds();
        double start = now_seconds();
        long reads = read_for(ctx, seconds, registers);
        if (reads < 0) return 1;
        printf("reads=%ld seconds=%.6f cpu=%.6f\n", reads, now_seconds() - start, cpu_seconds() - cpu_start);
        fflush(stdout);
    }
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
