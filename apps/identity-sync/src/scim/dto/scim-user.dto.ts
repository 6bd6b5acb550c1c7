import { z } from 'zod';
import { ENTERPRISE_USER } from '../domain/scim-patch';

const optionalText = z.string().nullish();
const booleanLike = z.union([z.boolean(), z.string().regex(/^(true|false)$/i, 'must be a boolean')]);

/** A SCIM User as a client sends it to create (POST) or replace (PUT); attributes the mirror does not keep pass through. */
export const scimUserSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  userName: z.string().trim().min(1),
  externalId: optionalText,
  name: z.looseObject({ givenName: optionalText, familyName: optionalText, formatted: optionalText }).nullish(),
  displayName: optionalText,
  emails: z
    .array(z.looseObject({ value: z.string(), type: optionalText, primary: booleanLike.nullish() }))
    .nullish(),
  active: booleanLike.optional(),
  title: optionalText,
  [ENTERPRISE_USER]: z
    .looseObject({
      department: optionalText,
      manager: z.union([z.string(), z.looseObject({ value: optionalText })]).nullish(),
    })
    .nullish(),
});

export type ScimUserDto = z.infer<typeof scimUserSchema>;
