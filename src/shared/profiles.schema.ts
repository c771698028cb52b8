// Profiles: the people who use Lamplight, each with a role (what they may do) and, for the browser host, an
// access token; session.whoami says who is acting. The permission matrix itself is roles.ts.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';

export const Role = z.enum(['admin', 'prompt_engineer', 'labeler', 'reviewer', 'analyst']);
export type Role = z.infer<typeof Role>;

const Name = z.string().trim().min(1).max(200);

/** A person using Lamplight; every label and audit record names the profile that acted. */
export const Profile = z.object({ id: Id, name: z.string(), role: Role, createdAt: z.number() });
export type Profile = z.infer<typeof Profile>;

export const SessionInfo = z.object({
  profileId: Id,
  profileName: z.string(),
  role: Role,
  /** The commands this profile may call (the UI hides the rest; the core refuses them either way). */
  allowed: z.array(z.string()),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

/** A profile's browser-host access link: its state, when it expires, and where it was last used from. */
export const AccessLink = z.object({
  profileId: Id,
  /** The owner signs in with the host's launch link (rotated, not issued). */
  owner: z.boolean(),
  state: z.enum(['none', 'active', 'expired', 'revoked']),
  issuedAt: z.number().nullable(),
  expiresAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  /** "Signed in from": the last time and remote address this profile's link (or the launch link) was used. */
  lastSeenAt: z.number().nullable(),
  lastSeenFrom: z.string().nullable(),
});
export type AccessLink = z.infer<typeof AccessLink>;

export const DEFAULT_LINK_DAYS = 30;

export const profilesCommands = {
  'session.whoami': { input: Empty, output: SessionInfo, permission: 'view' },
  'profiles.list': { input: Empty, output: z.array(Profile), permission: 'view' },
  'profiles.create': { input: z.object({ name: Name, role: Role.default('labeler') }), output: Profile, permission: 'admin' },
  'profiles.setRole': { input: z.object({ profileId: Id, role: Role }), output: z.object({ profileId: Id, role: Role }), permission: 'admin' },
  /** A new browser-host access token for the profile (shown once; the previous one stops working). */
  'profiles.issueToken': {
    input: z.object({ profileId: Id, expiresInDays: z.number().positive().max(3650).default(DEFAULT_LINK_DAYS) }),
    output: z.object({ token: z.string(), expiresAt: z.number() }),
    permission: 'admin',
  },
  /** Every profile's access link state and "signed in from". */
  'profiles.links': { input: Empty, output: z.array(AccessLink), permission: 'admin' },
  /** Ends a profile's access link at once: requests get 401 and its open sockets are closed. */
  'profiles.revokeToken': { input: z.object({ profileId: Id }), output: AccessLink, permission: 'admin' },
  /** A new launch token for the owner (only the owner may): the old one, and its sockets, stop at once. */
  'profiles.rotateLaunchToken': { input: z.object({ confirm: z.literal(true) }), output: z.object({ token: z.string() }), permission: 'admin' },
} as const satisfies Record<string, CommandSpec>;

export const profilesEvents = {} as const satisfies Record<string, EventSpec>;
