/* app.h — what the page (web/app.js) calls in the wasm module; web/app.c
 * says what each does. Strings in are UTF-8 in wasm memory; strings out are
 * static unless the comment in app.c says the page frees them. */
#ifndef PS_WEB_APP_H
#define PS_WEB_APP_H

const char *web_load(const char *name, const char *text, int len);
const char *web_title(const char *text, int len);
int web_key_code(const char *key);
const char *web_key(int key, int mods);
void web_text(const char *s);
void web_pointer(int kind, int x, int y);
void web_frame(int w, int h, double real_ms);
const char *web_caption(void);
int web_playing(void);
const char *web_terminal_text(void);
char *web_trace(int format);
const char *web_pcap(const char *path);
char *web_session_text(void);

#endif
