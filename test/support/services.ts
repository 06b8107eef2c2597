/**
 * Service-backed suites skip when their TEST_*_URL is unset, so `npm test` passes on a machine
 * with no servers. With JUHEPAY_REQUIRE_SERVICES=1 (set by .ci/run) a missing variable is an
 * error instead, so CI can never go green on a skipped suite.
 */
export function requireService(variable: 'TEST_DATABASE_URL' | 'TEST_REDIS_URL' | 'TEST_NATS_URL'): boolean {
  if (process.env[variable]) return true;
  if (process.env.JUHEPAY_REQUIRE_SERVICES === '1') {
    throw new Error(`${variable} is not set but JUHEPAY_REQUIRE_SERVICES=1`);
  }
  return false;
}
