// Deep imports of undici's pool and request API: the package's entry point loads every dispatcher,
// mock and cache it has (about 90 ms at cold start); these two files cost about 20 ms. undici ships no
// types for them, so they borrow the public ones.
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';

  const PoolClass: typeof Pool;
  export default PoolClass;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';

  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}
