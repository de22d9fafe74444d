/**
 * The development room's public key. Its private half is in the repository (`plans/dev/room-signing-key.pem`)
 * so the example plan, the demo and `cutover dev` work without set-up; anyone can sign with it, so a plan
 * pinning it proves nothing about who answered and is accepted only for the local stack.
 */
export const DEVELOPMENT_ROOM_PUBLIC_KEY_HEX = '6829e8bb07d046661fb6ede11b203228960181a2080717d8ef084020c2a94417';
