// The list query. Same key, options and pages as useConversationList in
// src/api/queries.ts (so realtime patches and invalidations reach it), but it
// translates the UI's sort names to the server's: the API answers 400 to
// `waiting_since` / `opened_at` and expects `waiting` / `in_service`.
// TODO: drop this file once queries.ts maps the sort itself.
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { pageSize, qk } from '../../../api/queries';
import type { ListSpec, SortName } from '../../../realtime/listCache';

/** serverSort names a list sort as GET /api/v1/conversations does. */
export function serverSort(sort: SortName): 'latest' | 'waiting' | 'in_service' {
  switch (sort) {
    case 'waiting_since':
      return 'waiting';
    case 'opened_at':
      return 'in_service';
    default:
      return 'latest';
  }
}

export function useList(spec: ListSpec, q = '') {
  return useInfiniteQuery({
    queryKey: qk.conversations(spec, q),
    initialPageParam: '' as string,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/conversations', {
          params: {
            query: {
              view: spec.view,
              sort: serverSort(spec.sort),
              department_id: spec.departmentId,
              agent_id: spec.agentId,
              label_id: spec.labelId,
              channel_id: spec.channelId,
              cursor: pageParam || undefined,
              limit: pageSize,
              ...(q ? { q } : {}),
            } as never,
          },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.next_cursor || undefined,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}
