#!/usr/bin/env python3
"""Embeds migrations/NNNN_name.sql files into a C array of struct db_migration.

Usage: embed_sql.py OUT.c FILE.sql...
"""
import os
import re
import sys


def c_string(text):
    out = []
    for line in text.splitlines(keepends=True):
        esc = line.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
        out.append('\t    "%s"' % esc)
    return '\n'.join(out) if out else '\t    ""'


def main():
    out, files = sys.argv[1], sys.argv[2:]
    entries = []
    for path in files:
        base = os.path.basename(path)
        m = re.fullmatch(r'(\d{4})_([a-z0-9_]+)\.sql', base)
        if not m:
            sys.exit('%s: migration files are named NNNN_name.sql' % base)
        with open(path, encoding='utf-8') as f:
            entries.append((int(m.group(1)), m.group(2), f.read()))
    entries.sort()
    versions = [e[0] for e in entries]
    if versions != list(range(1, len(entries) + 1)):
        sys.exit('migrations must be numbered 0001, 0002, ... without gaps')
    with open(out, 'w', encoding='utf-8') as f:
        f.write('/* Generated from migrations/ by common/embed_sql.py. */\n')
        f.write('#include "schema.h"\n\n')
        f.write('const struct db_migration schema_migrations[] = {\n')
        for v, name, sql in entries:
            f.write('\t{ %d, "%s",\n%s },\n' % (v, name, c_string(sql)))
        f.write('};\n\n')
        f.write('const size_t schema_migrations_count = %d;\n' % len(entries))


if __name__ == '__main__':
    main()
