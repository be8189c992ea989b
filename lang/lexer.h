/* lexer.h — the scenario language's lexical layer: checks that a file is
 * text, splits it into lines (LF or CRLF, a leading UTF-8 BOM skipped) and
 * reads a line's tokens one at a time: words, "strings" and the end of the
 * line (a `#` outside a string starts a comment). Never allocates. */
#ifndef PS_LEXER_H
#define PS_LEXER_H

#include "parse.h"

#define PS_LINE_MAX 4096 /* bytes on one line, not counting its line end */

/* Walks the lines of a text. */
typedef struct ps_lexer {
    const char *text; /* after the BOM, if any */
    size_t len;
    size_t off;    /* start of the next line */
    uint32_t line; /* number of the line last returned */
} ps_lexer;

/* Starts at the first line of text[0..len), skipping a UTF-8 BOM. */
void ps_lexer_init(ps_lexer *lx, const char *text, size_t len);

/* Checks the whole text: valid UTF-8, no control bytes but tab and line
 * ends, no line longer than PS_LINE_MAX. On failure fills diag's pos and
 * message (not its file) and returns false. */
bool ps_lexer_check(const ps_lexer *lx, ps_diag *diag);

/* Reads the next line (without its line end); false at the end of the text. */
bool ps_lexer_line(ps_lexer *lx, const char **s, size_t *len);

typedef enum ps_tok_kind {
    PS_TOK_END,    /* end of line, or the start of a comment */
    PS_TOK_WORD,   /* a run of bytes up to a space, tab, '"' or '#' */
    PS_TOK_STRING, /* "double quoted", escapes \" \\ \n */
} ps_tok_kind;

typedef struct ps_token {
    ps_tok_kind kind;
    const char *s; /* as written (a string with its quotes) */
    size_t len;
    uint32_t col; /* 1-based column of its first byte */
} ps_token;

/* Reads the tokens of one line. */
typedef struct ps_cursor {
    const char *s;
    size_t len, off;
    uint32_t line;
} ps_cursor;

/* Starts reading the tokens of line number `line`, s[0..len). */
void ps_cursor_init(ps_cursor *c, const char *s, size_t len, uint32_t line);

/* Reads the next token (PS_TOK_END, again and again, at the end). A bad
 * string fills diag's pos and message and returns false. */
bool ps_cursor_next(ps_cursor *c, ps_token *tok, ps_diag *diag);

/* Writes the value of a PS_TOK_STRING (escapes resolved) to out, which must
 * hold tok->len bytes, NUL-terminates it and returns its length. */
size_t ps_token_string(const ps_token *tok, char *out);

#endif
