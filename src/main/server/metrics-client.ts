/**
 * The parts of `prom-client` the service uses (a registry, counters, gauges, histograms), each
 * required from its own module. The package's index also loads `@opentelemetry/api` and the
 * default process collectors: about 12 MB of RSS at idle against the service's 60 MB goal
 * (issue #19, bench/startup.ts); these four modules cost under 1 MB. prom-client 15 has no
 * `exports` map, so its `lib/` modules are its public files; tests/main/server/metrics.test.ts
 * scrapes through them, so an upgrade that moves them fails there.
 */
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { lazyPackage } from '../lazy-package';

export interface PromClient {
  Registry: typeof Registry;
  Counter: typeof Counter;
  Gauge: typeof Gauge;
  Histogram: typeof Histogram;
}

const loadRegistry = lazyPackage<typeof Registry>('prom-client/lib/registry');
const loadCounter = lazyPackage<typeof Counter>('prom-client/lib/counter');
const loadGauge = lazyPackage<typeof Gauge>('prom-client/lib/gauge');
const loadHistogram = lazyPackage<typeof Histogram>('prom-client/lib/histogram');

/** Loads the four classes on the first call; the same ones on every later call. */
export function promClient(): PromClient {
  return {
    Registry: loadRegistry(),
    Counter: loadCounter(),
    Gauge: loadGauge(),
    Histogram: loadHistogram(),
  };
}
