"""fannkuch.py N: for every permutation of 1..N (in the order of Heap's
algorithm), count the prefix reversals ("pancake flips") until 1 comes
first. Prints the largest count and a signed checksum of the counts:
integer and list work only."""
import sys


def flips(perm):
    p = perm[:]
    count = 0
    first = p[0]
    while first != 0:
        p[: first + 1] = p[first::-1]
        count += 1
        first = p[0]
    return count


def fannkuch(n):
    perm = list(range(n))
    c = [0] * n
    best = flips(perm)
    checksum = best
    sign = -1
    i = 1
    while i < n:  # Heap's algorithm, iterative
        if c[i] < i:
            if i % 2 == 0:
                perm[0], perm[i] = perm[i], perm[0]
            else:
                j = c[i]
                perm[j], perm[i] = perm[i], perm[j]
            f = flips(perm)
            if f > best:
                best = f
            checksum += sign * f
            sign = -sign
            c[i] += 1
            i = 1
        else:
            c[i] = 0
            i += 1
    return best, checksum


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    best, checksum = fannkuch(n)
    print("fannkuch %d: max flips %d, checksum %d" % (n, best, checksum))


main()
