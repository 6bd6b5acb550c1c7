import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IdentityStatus } from '@attest/contracts';
import { ListPrincipalsQuery } from './dto/list-principals.query';
import { DirectoryError } from './directory.errors';
import { DirectoryRepository, StoredPrincipal } from './directory.repository';

export interface PrincipalView {
  id: string;
  type: 'user' | 'service';
  userName: string;
  email: string | null;
  displayName: string;
  status: IdentityStatus;
  managerId: string | null;
  department: string | null;
  title: string | null;
  oktaId: string | null;
  oktaStatus: string | null;
  scimExternalId: string | null;
  groups?: Array<{ id: string; displayName: string }>;
  createdAt: string;
  updatedAt: string;
}

/** Reads of the mirror for the admin API. */
@Injectable()
export class DirectoryQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: DirectoryRepository,
  ) {}

  async list(query: ListPrincipalsQuery): Promise<{ total: number; items: PrincipalView[] }> {
    const { total, items } = await this.repository.queryPrincipals(this.dataSource.manager, query);
    return { total, items: items.map(view) };
  }

  async get(id: string): Promise<PrincipalView> {
    const principal = await this.repository.findPrincipal(this.dataSource.manager, id);
    if (!principal) throw new DirectoryError('DIRECTORY.PRINCIPAL_NOT_FOUND', `no principal with id ${id}`);
    return { ...view(principal), groups: await this.repository.groupsOf(this.dataSource.manager, id) };
  }

  summary(): Promise<{ principals: number; groups: number; memberships: number }> {
    return this.repository.counts(this.dataSource.manager);
  }
}

function view(principal: StoredPrincipal): PrincipalView {
  return {
    id: principal.id,
    type: principal.type,
    userName: principal.userName,
    email: principal.email,
    displayName: principal.displayName,
    status: principal.status,
    managerId: principal.managerPrincipalId,
    department: principal.department,
    title: principal.title,
    oktaId: principal.oktaId,
    oktaStatus: principal.oktaStatus,
    scimExternalId: principal.scimExternalId,
    createdAt: principal.createdAt.toISOString(),
    updatedAt: principal.updatedAt.toISOString(),
  };
}
