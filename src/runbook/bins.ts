/**
 * The shapes runbook section 3 speaks in: ISO 4217 currencies and the production BIN entries a plan
 * expects PayCA's catalogue to hold (fees, currency, restrictions). The plan schema, the catalogue check
 * and the PayCA client's decoding read them from here.
 */
import { z } from 'zod';

export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GBP');

/** One BIN as the plan expects it at PayCA. Fields left out are not compared. */
export const ExpectedBin = z.strictObject({
  bin: z
    .string()
    .regex(/^\d{6,8}$/, 'a BIN is 6 to 8 digits, e.g. "535522"')
    .describe('The BIN, 6 to 8 digits, as PayCA lists it.'),
  network: z
    .string()
    .min(1)
    .optional()
    .describe('The card network PayCA must report for the BIN (e.g. Mastercard); not compared when left out.'),
  currency: Currency.describe("The BIN's currency (ISO 4217)."),
  issuanceFee: z
    .strictObject({
      amount: z.number().int().nonnegative().describe('Integer minor units, like every PayCA amount.'),
      currency: Currency.describe("The fee's currency (ISO 4217)."),
    })
    .optional()
    .describe('The fee PayCA charges per card issued; not compared when left out.'),
  topupBps: z.number().nonnegative().optional().describe('Top-up fee in basis points of the loaded amount.'),
  countries: z
    .array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as GB'))
    .optional()
    .describe('Countries where the card may be used (ISO 3166 alpha-2), in any order.'),
  mccBlocked: z
    .array(z.string().regex(/^\d{4}$/, 'an MCC is four digits, e.g. "7995"'))
    .optional()
    .describe('Merchant category codes PayCA declines, in any order.'),
});
export type ExpectedBin = z.infer<typeof ExpectedBin>;
