/** RFC 7644 §3.12 `scimType` values for a 400 (and `uniqueness` for a 409). */
export type ScimType = 'invalidFilter' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'mutability' | 'uniqueness';

/** A request SCIM's own rules refuse; the SCIM filter answers it as a SCIM error body. */
export class ScimProtocolError extends Error {
  constructor(
    readonly scimType: ScimType,
    message: string,
  ) {
    super(message);
  }
}
