import { Column, Entity, PrimaryColumn } from 'typeorm';

export type PrincipalType = 'service' | 'user';
export type PrincipalStatus = 'active' | 'suspended' | 'deleted';

/** A service or user that holds keys and grants. */
@Entity({ name: 'principals', schema: 'enforcement' })
export class PrincipalEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  type: PrincipalType;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column('text')
  status: PrincipalStatus;

  /** Version of the principal's compiled policy; bumped in the transaction of every change to it. */
  @Column({ name: 'policy_version', type: 'integer' })
  policyVersion: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
