"""spectral.py N: the largest singular value of the N x N matrix
a(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1), by 10 steps of the power
method on A^T A. Float arithmetic in nested loops over lists; the result
is printed rounded to 9 decimals."""
import sys


def a(i, j):
    ij = i + j
    return 1.0 / ((ij * (ij + 1) >> 1) + i + 1)


def mul_a(v, n):
    return [sum([a(i, j) * v[j] for j in range(n)]) for i in range(n)]


def mul_at(v, n):
    return [sum([a(j, i) * v[j] for j in range(n)]) for i in range(n)]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    u = [1.0] * n
    for _ in range(10):
        v = mul_at(mul_a(u, n), n)
        u = mul_at(mul_a(v, n), n)
    vbv = vv = 0.0
    for x, y in zip(u, v):
        vbv += x * y
        vv += y * y
    print("spectral %d: %.9f" % (n, (vbv / vv) ** 0.5))


main()
