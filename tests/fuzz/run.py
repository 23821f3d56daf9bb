#!/usr/bin/env python3
"""Runs one libFuzzer harness for $FUZZ_SECONDS (default 20) seconds.

usage: run.py HARNESS NAME SEED_DIR REGRESS_DIR ARTIFACT_DIR

New inputs go to a temporary directory listed first, so the seed and
regression directories (read-only corpora after it) are never written.
Crash, leak and timeout inputs go to ARTIFACT_DIR/NAME-*; lsan.supp beside
this file names the leak reports that are not leaks. Exits with the
harness's status: non-zero on any finding.
"""
import os
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    harness, name, seeds, regress, artifacts = sys.argv[1:]
    seconds = int(os.environ.get('FUZZ_SECONDS', '20'))
    os.makedirs(artifacts, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='fuzz-' + name + '-') as new:
        # -error_exitcode: libFuzzer's default, 77, means "skipped" to meson.
        cmd = [harness, '-max_total_time=%d' % seconds, '-timeout=10',
               '-error_exitcode=1', '-timeout_exitcode=1',
               '-rss_limit_mb=2048', '-print_final_stats=1',
               '-artifact_prefix=' + os.path.join(artifacts, name + '-'),
               new, seeds]
        if os.path.isdir(regress):
            cmd.append(regress)
        env = dict(os.environ)
        supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lsan.supp')
        env['LSAN_OPTIONS'] = ':'.join(filter(None, [
            env.get('LSAN_OPTIONS', ''), 'suppressions=' + supp]))
        print(' '.join(cmd), flush=True)
        try:
            rc = subprocess.run(cmd, env=env, timeout=seconds + 300).returncode
        except subprocess.TimeoutExpired:
            print('%s: still running %d s after its time' % (name, 300),
                  file=sys.stderr)
            return 1
    if rc != 0:
        print('%s: finding (exit %d), input saved under %s' % (name, rc, artifacts),
              file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
