#!/usr/bin/env python3
"""Embeds a word list (one entry a line, UTF-8) into a sorted C string array.

Lines starting with '#' and empty lines are skipped; entries are lowercased,
deduplicated and sorted by their UTF-8 bytes, so that C code can binary-search
the array with strcmp.

Usage: embed_list.py OUT.c NAME LIST.txt
  defines  const char *const NAME[]  and  const size_t NAME_count.
"""
import re
import sys
import unicodedata


def c_string(word):
    out = []
    for b in word.encode('utf-8'):
        c = chr(b)
        if c in '"\\?' or b < 0x20 or b >= 0x7f:
            out.append('\\%03o' % b)
        else:
            out.append(c)
    return '"%s"' % ''.join(out)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out, name, path = sys.argv[1:]
    if not re.fullmatch(r'[a-z_][a-z0-9_]*', name):
        sys.exit('%s: not a C identifier' % name)
    words = set()
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\r\n')
            if not line or line.startswith('#'):
                continue
            words.add(unicodedata.normalize('NFC', line).lower())
    words = sorted(words, key=lambda w: w.encode('utf-8'))
    with open(out, 'w', encoding='utf-8') as f:
        f.write('/* Generated from %s by common/embed_list.py. */\n'
                % path.split('/')[-1])
        f.write('#include <stddef.h>\n\n')
        f.write('extern const char *const %s[];\n' % name)
        f.write('extern const size_t %s_count;\n\n' % name)
        f.write('const char *const %s[] = {\n' % name)
        for w in words:
            f.write('\t%s,\n' % c_string(w))
        f.write('};\n\n')
        f.write('const size_t %s_count = %d;\n' % (name, len(words)))


if __name__ == '__main__':
    main()
