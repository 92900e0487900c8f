#!/usr/bin/env python3
"""hot_text.py - the code a goversec build runs, from callgrind profiles (bench/hot-text.sh).

A build runs ~300 KB of machine code once, spread over the 1.1 MB text of the static executable;
the kernel maps the text 16 pages around each page fault, so nearly all of it gets mapped. Laid
out together (compiler/link/hot-text.ld) the design-doc build's code sits in 10 of the text's 17
64 KiB windows, and fewer pages are mapped (bench/README.md, issue 13's seventh round).

  hot_text.py ld MAP EXE CALLGRIND...    prints the linker script fragment (the first profile's
                                         functions first)
  hot_text.py coverage EXE CALLGRIND...  prints the share of executed code lines in the hot section

MAP: the link map (-Wl,-Map) of EXE, linked from -ffunction-sections objects; EXE: the profiled
executable (its symbols relate callgrind's addresses to the file's, readelf gives the hot
section's bounds); CALLGRIND: `--dump-instr=yes` profiles of EXE.
"""
import bisect
import collections
import os
import re
import subprocess
import sys

# GCC's clone suffixes: one pattern per function covers its LTO-private and specialised copies.
CLONE = re.compile(r'(\.(lto_priv|isra|constprop|part|cold)\.?\d*)+$')
# glibc's CPU-specific variants of one function (memmove-evex-unaligned-erms.o, strlen-avx2.o):
# the profile's CPU (valgrind's) picks one, the user's may pick another, so all are listed.
VARIANT = re.compile(r'^([a-z0-9_]+)-(sse2|sse4|ssse3|avx|avx2|evex|evex512|avx512)[-a-z0-9_]*\.o$')


def executed(paths, exe, syms):
    """The file addresses of the instructions the profiles ran in EXE, whose symbols are `syms`.
    callgrind puts EXE's code under its file name at file addresses, and part of it - how much
    varies from run to run - under "???" at run-time addresses: such an object's offset is the one
    most of its functions agree on (their lowest executed address against the symbol's). Objects
    that are not EXE's (the vDSO: no agreement) are left out."""
    exe = os.path.realpath(exe)
    addrs = set()
    for path in paths:
        names, objects, fn, ob, cur, after_call = {}, {}, None, None, 0, False
        per_ob = collections.defaultdict(lambda: (set(), {}))
        with open(path) as f:
            for line in f:
                if line.startswith(('ob=', 'cob=')):  # a name is given once, in either
                    m = re.match(r'c?ob=\((\d+)\)(?: (.*))?', line.strip())
                    if m.group(2):
                        objects[m.group(1)] = m.group(2)
                    if line.startswith('ob='):
                        ob = m.group(1)
                    continue
                if line.startswith(('fn=', 'cfn=')):
                    m = re.match(r'c?fn=\((\d+)\)(?: (.*))?', line.strip())
                    if m.group(2):
                        names[m.group(1)] = re.sub(r"'\d+$", '', m.group(2))
                    if line.startswith('fn='):
                        fn = names.get(m.group(1))
                    continue
                if line.startswith('calls='):
                    after_call = True  # the next line is the call's cost, at the call site
                    continue
                m = re.match(r'^(0x[0-9a-f]+|\+\d+|-\d+|\*)\s', line)
                if not m:
                    continue
                t = m.group(1)
                if t.startswith('0x'):
                    cur = int(t, 16)
                elif t[0] in '+-':
                    cur += int(t)
                if after_call:
                    after_call = False
                    continue
                obs, first = per_ob[ob]
                obs.add(cur)
                if fn and (fn not in first or cur < first[fn]):
                    first[fn] = cur
        for ob, (obs, first) in per_ob.items():
            name = objects.get(ob, '???')
            if name != '???' and os.path.realpath(name) == exe:
                addrs.update(obs)  # file addresses already
                continue
            votes = collections.Counter(a - syms[n] for n, a in first.items() if n in syms)
            if votes:
                delta, n = votes.most_common(1)[0]
                if n >= 3 and 2 * n > sum(votes.values()):
                    addrs.update(a - delta for a in obs)
    if not addrs:
        sys.exit('hot_text: no code of the executable in the profiles')
    return addrs


def symbols(nm_text):
    return {p[2]: int(p[0], 16) for p in (line.split() for line in nm_text.splitlines()) if len(p) == 3}


def text_sections(map_path):
    """(start, size, section, file) of every input section of the .text output sections."""
    lines = open(map_path).read().split('\n')
    out, inside, i = [], False, 0
    while i < len(lines):
        line = lines[i]
        if re.match(r'^\.text', line):
            inside = True
        elif re.match(r'^\.\S', line):
            inside = False
        if inside:
            m = re.match(r'^ (\.text\S*)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)', line)
            if not m and re.match(r'^ \.text\S*\s*$', line) and i + 1 < len(lines):
                m2 = re.match(r'^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)', lines[i + 1])
                if m2:
                    out.append((int(m2.group(1), 16), int(m2.group(2), 16), line.strip(), m2.group(3)))
                    i += 2
                    continue
            elif m:
                out.append((int(m.group(2), 16), int(m.group(3), 16), m.group(1), m.group(4)))
        i += 1
    return sorted(s for s in out if s[1] > 0)


def pattern(section, file):
    """The input-section pattern of one executed section, robust to rebuilds."""
    lib = re.match(r'.*/(lib[a-z0-9_]+\.a)\((.*)\)$', file)
    if lib and 'goversec' not in lib.group(1):
        member = lib.group(2)
        v = VARIANT.match(member)
        if v:
            return '*%s:%s-*.o(.text .text.*)' % (lib.group(1), v.group(1))
        return '*%s:%s(%s)' % (lib.group(1), member, section)
    if file.endswith('crt1.o') or 'crtbegin' in file or 'crtend' in file:
        return '*%s(%s)' % (file.rsplit('/', 1)[-1], section)
    if section.startswith('.text.startup'):
        return '*(.text.startup .text.startup.*)'
    base = CLONE.sub('', section)
    return '*(%s %s.*)' % (base, base)


def nm_symbols(exe):
    return symbols(subprocess.run(['nm', exe], capture_output=True, text=True, check=True).stdout)


def executed_sections(secs, addrs):
    """Indices into secs (sorted by address) of the sections holding any of addrs."""
    starts = [s[0] for s in secs]
    hit = set()
    for a in addrs:
        j = bisect.bisect_right(starts, a) - 1
        if j >= 0 and secs[j][0] <= a < secs[j][0] + secs[j][1]:
            hit.add(j)
    return hit


def linker_script(map_path, exe, profiles):
    """The first profile's functions first (the design-doc build, the one measured), then those
    only the others run: the first build's code stays contiguous, fewer pages mapped."""
    syms = nm_symbols(exe)
    secs = text_sections(map_path)
    patterns = []
    for group in ([profiles[0]], profiles[1:]):
        if not group:
            continue
        for j in sorted(executed_sections(secs, executed(group, exe, syms))):
            p = pattern(secs[j][2], secs[j][3])
            if p not in patterns:
                patterns.append(p)
    print('/* hot-text.ld - generated by bench/hot-text.sh from callgrind profiles of the examples\' builds;')
    print(' * do not edit. The functions a build runs, in one output section before .text: first those of')
    print(' * examples/design-doc.gv, then those only the other examples run. CMakeLists.txt adds it to the')
    print(' * static product link; tests/product checks that it still covers what a build runs. */')
    print('SECTIONS\n{\n  .text.goversec_hot :\n  {')
    print('\n'.join('    ' + p for p in patterns))
    print('  }\n}\nINSERT BEFORE .text;')


def coverage(exe, profiles):
    addrs = executed(profiles, exe, nm_symbols(exe))
    sections = subprocess.run(['readelf', '-SW', exe], capture_output=True, text=True, check=True).stdout
    m = re.search(r'\.text\.goversec_hot\s+PROGBITS\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)', sections)
    if not m:
        sys.exit('hot_text: the executable has no .text.goversec_hot section')
    lo = int(m.group(1), 16)
    hi = lo + int(m.group(2), 16)
    lines = {a >> 6 for a in addrs}
    inside = sum(1 for line in lines if lo >> 6 <= line <= (hi - 1) >> 6)
    pages = len({line >> 6 for line in lines})
    print('%d %d %d %d' % (inside, len(lines), pages, (hi - lo + 4095) // 4096))


if __name__ == '__main__':
    if len(sys.argv) >= 5 and sys.argv[1] == 'ld':
        linker_script(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) >= 4 and sys.argv[1] == 'coverage':
        coverage(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
