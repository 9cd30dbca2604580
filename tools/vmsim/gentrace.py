#!/usr/bin/env python3
"""gentrace.py: reference strings for tools/vmsim that look like programs.

    tools/vmsim/gentrace.py [--kind KIND] [--length N] [--pages P]
                            [--writes F] [--seed S] [-o FILE]

Prints one reference per line ("12" for a read of page 12, "12W" for a
write), after '#' lines recording how the trace was made, so the same
command always gives the same trace. Kinds:

  loop     sweeps pages 0..P-1 over and over: the case where LRU and FIFO
           fault on every reference once P exceeds the frames
  phases   a working set of about P/8 pages used with locality (short
           sequential runs), moving to another part of the P pages every
           few thousand references; 2% of references go anywhere
  random   every page equally likely: no locality, no policy helps
  zipf     page k used with probability proportional to 1/(k+1): a few
           hot pages, a long cold tail
  mix      a program: hot code pages (read only), a small stack, a heap
           with shifting working sets, and now and then a sequential scan
           of a large array (the pattern that flushes LRU); the default

The pages of each part are disjoint, so the page count of a mix is the
sum of its parts (about P).
"""
import argparse
import bisect
import random
import sys


def loop(rng, n, pages, writes):
    for i in range(n):
        yield i % pages, rng.random() < writes


def uniform(rng, n, pages, writes):
    for _ in range(n):
        yield rng.randrange(pages), rng.random() < writes


def zipf(rng, n, pages, writes):
    # Cumulative weights 1/(k+1), sampled by bisection.
    cum, total = [], 0.0
    for k in range(pages):
        total += 1.0 / (k + 1)
        cum.append(total)
    # Scatter the hot pages so that they are not simply the low numbers.
    perm = list(range(pages))
    rng.shuffle(perm)
    for _ in range(n):
        k = bisect.bisect_left(cum, rng.random() * total)
        yield perm[min(k, pages - 1)], rng.random() < writes


def phases(rng, n, pages, writes, base=0):
    """Working sets of about pages/8, shifting every 2000-6000 refs."""
    ws = max(2, pages // 8)
    done = 0
    while done < n:
        start = rng.randrange(max(1, pages - ws + 1))
        length = rng.randint(2000, 6000)
        cur = start
        for _ in range(min(length, n - done)):
            r = rng.random()
            if r < 0.02:
                cur = rng.randrange(pages)
            elif r < 0.30:
                cur = start + rng.randrange(ws)
            elif r < 0.95:
                # Mostly the same or the next page: sequential runs.
                cur = start + (cur - start + (rng.random() < 0.3)) % ws
            yield base + min(cur, pages - 1), rng.random() < writes
            done += 1


def mix(rng, n, pages, writes):
    code = max(2, pages // 16)
    stack = max(2, pages // 32)
    array = max(4, pages // 4)
    heap = max(8, pages - code - stack - array)
    heap_base = code + stack
    array_base = heap_base + heap
    heap_refs = phases(rng, n, heap, writes, heap_base)
    done = 0
    while done < n:
        r = rng.random()
        if r < 0.001:
            # A sequential scan of the array, reading or filling it.
            w = rng.random() < 0.5
            for p in range(array):
                if done >= n:
                    break
                yield array_base + p, w and rng.random() < 0.9
                done += 1
            continue
        if r < 0.35:
            # Code: a few hot pages, read only.
            yield min(int(rng.expovariate(2.0 / code)), code - 1), False
        elif r < 0.55:
            yield code + min(int(rng.expovariate(1.0)), stack - 1), \
                rng.random() < 0.6
        else:
            yield next(heap_refs)
        done += 1


KINDS = {"loop": loop, "phases": phases, "random": uniform, "zipf": zipf,
         "mix": mix}


def main():
    ap = argparse.ArgumentParser(
        description="Generate a reference string for tools/vmsim.")
    ap.add_argument("--kind", choices=sorted(KINDS), default="mix")
    ap.add_argument("--length", type=int, default=20000,
                    help="references (default 20000)")
    ap.add_argument("--pages", type=int, default=64,
                    help="pages the program uses (default 64)")
    ap.add_argument("--writes", type=float, default=0.3,
                    help="fraction of writes where the kind does not "
                    "decide (default 0.3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", help="file (default: stdout)")
    args = ap.parse_args()
    if args.length < 0 or args.pages < 1 or not 0 <= args.writes <= 1:
        ap.error("need --length >= 0, --pages >= 1, 0 <= --writes <= 1")
    rng = random.Random(args.seed)
    out = open(args.output, "w") if args.output else sys.stdout
    out.write("# gentrace.py --kind %s --length %d --pages %d --writes %g "
              "--seed %d\n" % (args.kind, args.length, args.pages,
                               args.writes, args.seed))
    gen = KINDS[args.kind](rng, args.length, args.pages, args.writes)
    for i, (page, write) in enumerate(gen):
        if i >= args.length:
            break
        out.write("%d%s\n" % (page, "W" if write else ""))
    if out is not sys.stdout:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
