/*
 * libmodbus RTU server for the RTU benchmark: one unit on a serial device (a pty end).
 *
 *   libmodbus-rtu-server DEVICE BAUD UNIT
 *
 * Holding register i holds (i * 7 + 3) & 0xFFFF for i in 0..124, like the TCP bench's server. Prints "READY" once
 * the port is open, then answers until killed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <modbus.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s DEVICE BAUD UNIT\n", argv[0]);
        return 2;
    }
    modbus_t *ctx = modbus_new_rtu(argv[1], atoi(argv[2]), 'N', 8, 1);
    if (ctx == NULL || modbus_set_slave(ctx, atoi(argv[3])) != 0 || modbus_connect(ctx) != 0) {
        fprintf(stderr, "open %s: %s\n", argv[1], modbus_strerror(errno));
        return 1;
    }
    modbus_mapping_t *mapping = modbus_mapping_new(0, 0, 125, 0);
    for (int i = 0; i < 125; i++) mapping->tab_registers[i] = (uint16_t)((i * 7 + 3) & 0xFFFF);
    printf("READY\n");
    fflush(stdout);
    uint8_t query[MODBUS_RTU_MAX_ADU_LENGTH];
    for (;;) {
        int length = modbus_receive(ctx, query);
        if (length > 0) modbus_reply(ctx, query, length, mapping);
        else if (length < 0 && errno != EMBBADCRC && errno != ETIMEDOUT) {
            fprintf(stderr, "modbus_receive: %s\n", modbus_strerror(errno));
            modbus_flush(ctx);
        }
    }
}
