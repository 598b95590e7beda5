import { useConnection } from '../api/connection';

/** A clear, announced message while the API cannot be reached; it goes away once it answers again. */
export function ConnectionBanner() {
  const { online, reason } = useConnection();
  return (
    <div role="status" aria-live="assertive" className={online ? 'banner-hidden' : 'banner banner-down'}>
      {!online && (
        <>
          <strong>The API is not reachable</strong> ({reason}). The data below may be out of date; this page reconnects
          by itself as soon as the API is back.
        </>
      )}
    </div>
  );
}
