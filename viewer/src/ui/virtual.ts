import {
  elementScroll,
  observeElementOffset,
  observeElementRect,
  Virtualizer,
} from '@tanstack/virtual-core';
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';

/**
 * A virtualised list over a scroll container (@tanstack/virtual-core): only the rows in view,
 * plus a few either side, are in the DOM, so 10,000 runs paint as fast as 30.
 */
export function useVirtualRows(count: number, rowHeight: number) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [virtualizer] = useState(
    () =>
      new Virtualizer<HTMLDivElement, Element>({
        count,
        getScrollElement: () => scrollRef.current,
        estimateSize: () => rowHeight,
        overscan: 12,
        observeElementRect,
        observeElementOffset,
        scrollToFn: elementScroll,
        // The first paint shows a screenful before the container is measured.
        initialRect: { width: 1000, height: 900 },
        onChange: () => rerender(0),
      }),
  );
  virtualizer.setOptions({ ...virtualizer.options, count });
  useLayoutEffect(() => virtualizer._willUpdate());
  useEffect(() => virtualizer._didMount(), []);
  return { scrollRef, items: virtualizer.getVirtualItems(), total: virtualizer.getTotalSize() };
}
