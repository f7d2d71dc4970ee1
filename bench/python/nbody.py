"""nbody.py N: a planetary system of 5 bodies integrated for N steps
(symplectic Euler, float arithmetic on Python objects). Prints the energy
before and after, rounded, so that the output does not depend on the
Python version or on the last bits of a float."""
import sys

PI = 3.141592653589793
MASS0 = 4 * PI * PI  # the central body: G * M = 4 pi^2 in AU^3 / year^2
DAYS = 365.24


class Body:
    __slots__ = ("x", "y", "z", "vx", "vy", "vz", "m")

    def __init__(self, x, y, z, vx, vy, vz, m):
        self.x, self.y, self.z = x, y, z
        self.vx, self.vy, self.vz = vx * DAYS, vy * DAYS, vz * DAYS
        self.m = m * MASS0


def system():
    # A made-up system: a star and four planets on roughly circular orbits.
    bodies = [Body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)]
    for i, (r, m) in enumerate(((0.9, 3.0e-6), (1.6, 4.0e-7), (5.3, 9.5e-4), (9.8, 2.8e-4))):
        a = 0.7 + 1.9 * i  # starting angle, radians
        ca, sa = _cos(a), _sin(a)
        v = (MASS0 / r) ** 0.5 / DAYS
        bodies.append(Body(r * ca, r * sa, 0.02 * r * (i - 1.5), -v * sa, v * ca, 0.001 * i, m))
    # Move to the centre of momentum.
    px = py = pz = 0.0
    for b in bodies:
        px += b.vx * b.m
        py += b.vy * b.m
        pz += b.vz * b.m
    s = bodies[0]
    s.vx, s.vy, s.vz = -px / s.m, -py / s.m, -pz / s.m
    return bodies


def _sin(a):  # Taylor series: no math module, same digits everywhere
    t, s, k = a, a, 1
    while abs(t) > 1e-17:
        t = -t * a * a / ((2 * k) * (2 * k + 1))
        s += t
        k += 1
    return s


def _cos(a):
    t, s, k = 1.0, 1.0, 1
    while abs(t) > 1e-17:
        t = -t * a * a / ((2 * k - 1) * (2 * k))
        s += t
        k += 1
    return s


def energy(bodies):
    e = 0.0
    for i, b in enumerate(bodies):
        e += 0.5 * b.m * (b.vx * b.vx + b.vy * b.vy + b.vz * b.vz)
        for c in bodies[i + 1:]:
            dx, dy, dz = b.x - c.x, b.y - c.y, b.z - c.z
            e -= b.m * c.m / (dx * dx + dy * dy + dz * dz) ** 0.5
    return e


def advance(bodies, steps, dt):
    pairs = [(b, c) for i, b in enumerate(bodies) for c in bodies[i + 1:]]
    for _ in range(steps):
        for b, c in pairs:
            dx, dy, dz = b.x - c.x, b.y - c.y, b.z - c.z
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * d2 ** 0.5)
            bm, cm = b.m * mag, c.m * mag
            b.vx -= dx * cm
            b.vy -= dy * cm
            b.vz -= dz * cm
            c.vx += dx * bm
            c.vy += dy * bm
            c.vz += dz * bm
        for b in bodies:
            b.x += dt * b.vx
            b.y += dt * b.vy
            b.z += dt * b.vz


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    bodies = system()
    e0 = energy(bodies)
    advance(bodies, n, 0.001)
    e1 = energy(bodies)
    print("nbody %d: energy %.9f -> %.9f" % (n, e0, e1))


main()
