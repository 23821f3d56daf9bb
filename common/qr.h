/*
 * qr: QR code rendering over libqrencode (byte mode, error correction level
 * M, smallest version that fits): an inline SVG for web pages, half-block
 * text for terminals, and the raw module matrix. Owns no state.
 */
#ifndef COMMON_QR_H
#define COMMON_QR_H

#include <stdint.h>

#include "base.h"

/*
 * An SVG QR code of `text` (UTF-8 bytes, any length libqrencode accepts): a
 * standalone <svg> element suitable for inlining in an HTML page under a
 * strict CSP: xmlns, viewBox in modules including a 4-module quiet zone,
 * shape-rendering="crispEdges", role="img", aria-label=`label` (escaped;
 * NULL means "QR code"), a white background <rect> and one <path> with
 * fill="#000" whose d= draws every dark module, horizontal runs merged
 * ("Mx yhnv1h-nz"). No style attributes, no <style>, no scripts. Returns a
 * malloc'd NUL-terminated string (caller frees), or NULL (text NULL or empty,
 * too long for a QR code, out of memory).
 */
char *qr_svg(const char *text, const char *label) WUR;
/*
 * The same code for a terminal, with the quiet zone: each line is two
 * module rows high, drawn with the Unicode half blocks (U+2580 upper,
 * U+2584 lower, U+2588 full) and spaces, and ends in '\n'. The glyphs' ink
 * draws the dark modules, so the code reads correctly on a light-background
 * terminal (dark text); on a dark background it shows inverted. An odd last
 * row pairs with a light row. malloc'd, or NULL as for qr_svg.
 */
char *qr_text(const char *text) WUR;
/*
 * The module matrix without quiet zone, for tests and other renderers: the
 * side in *width and a malloc'd width*width row-major array of 0/1 (1 =
 * dark), or NULL as for qr_svg (*width is then 0).
 */
/*
 * As qr_text, with error correction level L: for a code shown on a screen,
 * which suffers no print damage, the smallest symbol (a 1.2 KB airport
 * presentation: version 25 instead of 29).
 */
char *qr_text_screen(const char *text) WUR;
uint8_t *qr_matrix(const char *text, int *width) WUR;

#endif
