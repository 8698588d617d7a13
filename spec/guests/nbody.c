/* Floating point: the n-body simulation, libm, float and double conversions, printf of doubles.
   Usage: nbody [STEPS] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

struct body { double x, y, z, vx, vy, vz, mass; };

static struct body bodies[5] = {
  {0, 0, 0, 0, 0, 0, SOLAR_MASS},
  {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
   1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
   -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
  {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
   -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
   2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
  {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
   2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
   -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
  {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
   2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
   -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS},
};

static void advance(int n, struct body *b, double dt) {
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      double d2 = dx * dx + dy * dy + dz * dz;
      double mag = dt / (d2 * sqrt(d2));
      b[i].vx -= dx * b[j].mass * mag; b[i].vy -= dy * b[j].mass * mag; b[i].vz -= dz * b[j].mass * mag;
      b[j].vx += dx * b[i].mass * mag; b[j].vy += dy * b[i].mass * mag; b[j].vz += dz * b[i].mass * mag;
    }
  for (int i = 0; i < n; i++) { b[i].x += dt * b[i].vx; b[i].y += dt * b[i].vy; b[i].z += dt * b[i].vz; }
}

static double energy(int n, const struct body *b) {
  double e = 0;
  for (int i = 0; i < n; i++) {
    e += 0.5 * b[i].mass * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
    for (int j = i + 1; j < n; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      e -= b[i].mass * b[j].mass / sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

int main(int argc, char **argv) {
  int steps = argc > 1 ? atoi(argv[1]) : 5000;
  double px = 0, py = 0, pz = 0;
  for (int i = 0; i < 5; i++) { px += bodies[i].vx * bodies[i].mass; py += bodies[i].vy * bodies[i].mass; pz += bodies[i].vz * bodies[i].mass; }
  bodies[0].vx = -px / SOLAR_MASS; bodies[0].vy = -py / SOLAR_MASS; bodies[0].vz = -pz / SOLAR_MASS;
  printf("%.9f\n", energy(5, bodies));
  for (int i = 0; i < steps; i++) advance(5, bodies, 0.01);
  printf("%.9f\n", energy(5, bodies));
  for (int i = 0; i < 5; i++) printf("body %d: %g %g %g\n", i, bodies[i].x, bodies[i].y, bodies[i].z);

  /* libm and conversions */
  volatile double x = 0.7;
  printf("sin %.17g cos %.17g tan %.17g\n", sin(x), cos(x), tan(x));
  printf("exp %.17g log %.17g pow %.17g atan2 %.17g\n", exp(x), log(x), pow(x, 3.3), atan2(x, -1.5));
  printf("floor %g ceil %g round %g trunc %g fmod %.17g\n", floor(-2.5), ceil(-2.5), round(-2.5), trunc(-2.7), fmod(10.3, 3.1));
  volatile float f = 1.1f;
  float g = f * f / 3.0f + sqrtf(f);
  printf("float %.9g %a\n", (double)g, (double)g);
  volatile double big = 3.9e9, neg = -7.9, huge = 1e300;
  printf("d2u %u d2i %d d2i(neg) %d i2d %.17g huge*huge %g -huge*huge %g\n", (unsigned)big, (int)neg,
         (int)(neg * 1e9 / 1e9), (double)(int)-123456789, huge * huge, -huge * huge);
  volatile double zero = 0.0;
  printf("nan %g sqrt(-1) %g 1/0 %g denorm %g eps %g\n", zero / zero, sqrt(-1.0 + zero), 1.0 / zero, 4.9e-324 * (1 + zero), 2.220446049250313e-16 + zero);
  double acc = 0;
  for (int i = 1; i <= 1000; i++) acc += 1.0 / ((double)i * i);
  printf("basel %.15f ~ pi^2/6 %.15f\n", acc, PI * PI / 6);
  long long ll = (long long)(acc * 1e15);
  printf("ll %lld back %.17g\n", ll, (double)ll);
  return 0;
}
