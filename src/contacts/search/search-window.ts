import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { fromSqlTimestamp } from '../../database/sql-timestamp';
import { ListOrder, SORT_COLUMNS, applyKeyset } from '../contact-keyset';
import { ContactEntity, ContactState } from '../contact.entity';
import { PageCursor } from '../page-token';

/**
 * The search window: for a term too common for the substring index, a search tests the next
 * few thousand contacts in sort order first, bounded by the key of the last of them.
 */
@Injectable()
export class SearchWindow {
  constructor(
    @InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>,
  ) {}

  /**
   * The keyset position of the `position`-th contact after the cursor, or undefined when fewer
   * remain.
   */
  async keyAt(
    tenantId: string,
    state: Extract<ContactState, 'active' | 'archived'>,
    order: ListOrder,
    cursor: PageCursor | undefined,
    position: number,
  ): Promise<PageCursor | undefined> {
    const column = `c.${SORT_COLUMNS[order.field]}`;
    const direction = order.direction === 'asc' ? 'ASC' : 'DESC';
    const reverse = order.direction === 'asc' ? 'DESC' : 'ASC';
    const next = this.contacts
      .createQueryBuilder('c')
      .select('c.id', 'id')
      .addSelect(column, 'sortValue')
      .where('c.tenant_id = :tenantId AND c.state = :state', { tenantId, state });
    applyKeyset(next, { sort: column, id: 'c.id' }, order, cursor, 'after');
    next.orderBy(column, direction).addOrderBy('c.id', direction).limit(position);
    // The last of the next `position` keys (read from the sort index only), and how many
    // there were: fewer means the window reaches the end of the bucket.
    const row = await this.contacts.manager
      .createQueryBuilder()
      .select('w.id', 'id')
      .addSelect('w.sortValue', 'sortValue')
      .addSelect('COUNT(*) OVER ()', 'windowSize')
      .from(`(${next.getQuery()})`, 'w')
      .setParameters(next.getParameters())
      .orderBy('w.sortValue', reverse)
      .addOrderBy('w.id', reverse)
      .limit(1)
      .getRawOne<{ id: string; sortValue: Date | string; windowSize: number | string }>();
    if (!row || Number(row.windowSize) < position) return undefined;
    return {
      id: row.id,
      sortValue:
        order.field === 'name'
          ? String(row.sortValue)
          : fromSqlTimestamp(row.sortValue).toISOString(),
    };
  }
}
