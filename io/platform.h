/* platform.h — what the kernel model asks of the machine, given by the
 * program that runs it: huge pages for big tables (sim/mem.h's hint). */
#ifndef PS_IO_PLATFORM_H
#define PS_IO_PLATFORM_H

/* Installs the platform hooks. Call once at start-up, before any engine. */
void ps_platform_init(void);

#endif
