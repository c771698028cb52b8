export interface Migration {
  /** Steps of 10; PRAGMA user_version records the last one applied. */
  version: number;
  name: string;
  up: string;
}
