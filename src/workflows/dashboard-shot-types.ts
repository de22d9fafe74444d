/** What the record keeps of a dashboard screenshot: where the image is and its digest, never the image. */
export interface DashboardShot {
  title: string;
  url: string;
  /** When in the cutover it was taken. */
  moment: 'debrief' | 'watch-end';
  at: string;
  /** Relative to the worker's artifacts directory; absent when the dashboard did not load. */
  path?: string;
  /** SHA-256 of the PNG, hex, so a copy can be checked against the record. */
  sha256?: string;
  /** Why there is no image: the page did not answer, answered an error, or no browser was configured. */
  failed?: string;
}
