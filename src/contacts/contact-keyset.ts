import { Brackets, SelectQueryBuilder } from 'typeorm';
import { ContactOrderField, OrderDirection } from './contact-list-query';
import { ContactEntity } from './contact.entity';
import { PageCursor } from './page-token';

export const SORT_COLUMNS: Record<ContactOrderField, string> = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  name: 'name_sort',
};

export type ListOrder = { field: ContactOrderField; direction: OrderDirection };

/** Part of a list: after `after`, up to `upTo` inclusive, among `ids` (each when given). */
export type ListRange = { after?: PageCursor; upTo?: PageCursor; ids?: string[] };

/** Rows strictly after `position` in list order, or up to and including it. */
export function applyKeyset(
  query: SelectQueryBuilder<ContactEntity>,
  key: { sort: string; id: string },
  order: ListOrder,
  position: PageCursor | undefined,
  side: 'after' | 'upTo',
) {
  if (!position) return;
  const forward = (order.direction === 'asc') === (side === 'after');
  const beyond = forward ? '>' : '<';
  const value = order.field === 'name' ? position.sortValue : new Date(position.sortValue);
  const [v, i] = [`${side}Value`, `${side}Id`];
  query.andWhere(
    new Brackets((qb) =>
      qb
        .where(`${key.sort} ${beyond} :${v}`, { [v]: value })
        .orWhere(
          `(${key.sort} = :${v} AND ${key.id} ${side === 'after' ? beyond : `${beyond}=`} :${i})`,
          { [i]: position.id },
        ),
    ),
  );
}
