/* lexer.c — text check, line splitting and tokens of a scenario file
 * (see lexer.h). */
#include "lexer.h"

#include <stdio.h>
#include <string.h>

void ps_lexer_init(ps_lexer *lx, const char *text, size_t len)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    lx->text = text;
    lx->len = len;
    lx->off = 0;
    lx->line = 0;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one;
 * *out receives its code point. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *out)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else
        return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    if (overlong || surrogate || cp > 0x10FFFF) return 0;
    *out = cp;
    return len;
}

/* Characters that change how a terminal shows the text after them: C1
 * controls (U+0080-U+009F, e.g. CSI) and bidirectional overrides and
 * isolates. A scenario with them could print one thing and mean another. */
static bool invisible_control(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* True if the byte at s[i] may appear in a scenario line (tab, printable
 * ASCII, or a CR that ends the line). */
static bool ascii_ok(const unsigned char *s, size_t i, size_t n)
{
    unsigned char c = s[i];
    if (c == '\t' || (c >= 0x20 && c != 0x7F)) return true;
    return c == '\r' && i + 1 < n && s[i + 1] == '\n';
}

static bool too_long(const unsigned char *s, size_t n, size_t start, uint32_t line, ps_diag *diag)
{
    size_t end = start;
    while (end < n && s[end] != '\n') end++;
    if (end > start && s[end - 1] == '\r' && end < n) end--;
    diag->pos = (ps_pos){ line, PS_LINE_MAX + 1 };
    snprintf(diag->message, sizeof diag->message, "line is too long (%zu bytes; the limit is %d)",
             end - start, PS_LINE_MAX);
    return false;
}

bool ps_lexer_check(const ps_lexer *lx, ps_diag *diag)
{
    const unsigned char *s = (const unsigned char *)lx->text;
    size_t n = lx->len, line_start = 0;
    uint32_t line = 1;
    for (size_t i = 0; i < n;) {
        if (s[i] == '\n') {
            line++;
            line_start = ++i;
            continue;
        }
        bool crlf = s[i] == '\r' && i + 1 < n && s[i + 1] == '\n';
        if (!crlf && i - line_start >= PS_LINE_MAX) return too_long(s, n, line_start, line, diag);
        uint32_t cp = s[i];
        size_t seq = s[i] < 0x80 ? (ascii_ok(s, i, n) ? 1 : 0) : utf8_seq(s + i, n - i, &cp);
        if (seq == 0) {
            diag->pos = (ps_pos){ line, (uint32_t)(i - line_start + 1) };
            snprintf(diag->message, sizeof diag->message,
                     "file is not text (byte 0x%02x at this position)", s[i]);
            return false;
        }
        if (invisible_control(cp)) {
            diag->pos = (ps_pos){ line, (uint32_t)(i - line_start + 1) };
            snprintf(diag->message, sizeof diag->message,
                     "invisible control character U+%04X: it changes how a terminal shows the "
                     "text around it, so it is not allowed",
                     (unsigned)cp);
            return false;
        }
        i += seq;
    }
    return true;
}

bool ps_lexer_line(ps_lexer *lx, const char **s, size_t *len)
{
    if (lx->off >= lx->len) return false;
    const char *start = lx->text + lx->off;
    const char *nl = memchr(start, '\n', lx->len - lx->off);
    size_t n = nl ? (size_t)(nl - start) : lx->len - lx->off;
    lx->off += n + (nl != NULL);
    if (n > 0 && start[n - 1] == '\r') n--;
    *s = start;
    *len = n;
    lx->line++;
    return true;
}

void ps_cursor_init(ps_cursor *c, const char *s, size_t len, uint32_t line)
{
    c->s = s;
    c->len = len;
    c->off = 0;
    c->line = line;
}

static bool cursor_fail(const ps_cursor *c, size_t off, ps_diag *diag, const char *msg)
{
    diag->pos = (ps_pos){ c->line, (uint32_t)off + 1 };
    snprintf(diag->message, sizeof diag->message, "%s", msg);
    return false;
}

/* Scans the string starting at c->off (its opening quote) to its end. */
static bool scan_string(ps_cursor *c, ps_diag *diag)
{
    size_t open = c->off, i = open + 1;
    while (i < c->len && c->s[i] != '"') {
        if (c->s[i] == '\\' && i + 1 < c->len) {
            char e = c->s[i + 1];
            if (e != '"' && e != '\\' && e != 'n') {
                char msg[128];
                size_t elen = 1;
                while (i + 1 + elen < c->len && ((unsigned char)c->s[i + 1 + elen] & 0xC0) == 0x80)
                    elen++;
                snprintf(msg, sizeof msg,
                         "unknown escape '\\%.*s' in a string; expected \\\", \\\\ or \\n",
                         (int)elen, c->s + i + 1);
                return cursor_fail(c, i, diag, msg);
            }
            i += 2;
        } else {
            i++;
        }
    }
    if (i >= c->len)
        return cursor_fail(c, open, diag,
                           "unterminated string: expected a closing '\"' on the same line");
    c->off = i + 1;
    return true;
}

bool ps_cursor_next(ps_cursor *c, ps_token *tok, ps_diag *diag)
{
    while (c->off < c->len && (c->s[c->off] == ' ' || c->s[c->off] == '\t')) c->off++;
    size_t start = c->off;
    tok->s = c->s + start;
    tok->col = (uint32_t)start + 1;
    if (start >= c->len || c->s[start] == '#') {
        tok->kind = PS_TOK_END;
        tok->len = 0;
        return true;
    }
    if (c->s[start] == '"') {
        tok->kind = PS_TOK_STRING;
        if (!scan_string(c, diag)) return false;
    } else {
        tok->kind = PS_TOK_WORD;
        while (c->off < c->len && !strchr(" \t\"#", c->s[c->off])) c->off++;
    }
    tok->len = c->off - start;
    return true;
}

size_t ps_token_string(const ps_token *tok, char *out)
{
    size_t n = 0;
    for (size_t i = 1; i + 1 < tok->len; i++) {
        char ch = tok->s[i];
        if (ch == '\\') {
            ch = tok->s[++i];
            if (ch == 'n') ch = '\n';
        }
        out[n++] = ch;
    }
    out[n] = '\0';
    return n;
}
