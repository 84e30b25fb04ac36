//! [`Gathered`]: the elements of an open array or object, gathered on a stack the reader
//! shares between the collections being read (one for nodes, one for entries), and taken
//! off in one allocation of their exact number. The JSON and YAML readers build the tree's
//! collections this way, where a vector of each collection's own would grow by doubling and
//! shrink again: the tree's blocks then lie one after the other, and the decoder's
//! allocations reuse them as it frees them (docs/performance.md, "Memory").

/// How many elements of one collection gather on the stack before they move to a vector of
/// their own: the stack never holds a long list twice when it is taken off.
pub(crate) const SPILL: usize = 1024;

/// Where an open collection's elements are: on the shared stack from `start`, or in a
/// vector of their own once there are [`SPILL`] of them.
#[derive(Debug)]
pub(crate) struct Gathered<T> {
    start: usize,
    own: Option<Vec<T>>,
}

impl<T> Gathered<T> {
    /// A collection opened with `stack` as it is now.
    pub(crate) fn at(stack: &[T]) -> Self {
        Self {
            start: stack.len(),
            own: None,
        }
    }

    /// Adds an element.
    #[inline]
    pub(crate) fn push(&mut self, stack: &mut Vec<T>, element: T) {
        if let Some(own) = &mut self.own {
            own.push(element);
            return;
        }
        stack.push(element);
        if stack.len() - self.start >= SPILL {
            self.own = Some(tail(stack, self.start));
        }
    }

    /// The elements, off the stack, in one allocation of their number.
    pub(crate) fn take(self, stack: &mut Vec<T>) -> Box<[T]> {
        match self.own {
            Some(own) => own.into_boxed_slice(),
            None => tail(stack, self.start).into_boxed_slice(),
        }
    }
}

/// The elements of `stack` from `start`, moved in one copy to an allocation of their exact
/// number; the stack keeps its buffer (which `split_off(0)` would hand over, leaving the
/// stack a new one).
fn tail<T>(stack: &mut Vec<T>, start: usize) -> Vec<T> {
    if start > 0 {
        return stack.split_off(start);
    }
    let mut out = Vec::with_capacity(stack.len());
    out.append(stack);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two nested collections on one stack, the inner one past [`SPILL`].
    #[test]
    fn nested_collections_come_off_whole_in_order_and_at_their_size() {
        let mut stack = Vec::new();
        let mut outer = Gathered::at(&stack);
        outer.push(&mut stack, 0);
        let mut inner = Gathered::at(&stack);
        for i in 0..SPILL + 5 {
            inner.push(&mut stack, i);
        }
        let inner = inner.take(&mut stack);
        assert_eq!(inner.len(), SPILL + 5);
        assert!(inner.iter().copied().eq(0..SPILL + 5));
        outer.push(&mut stack, 1);
        let outer = outer.take(&mut stack);
        assert_eq!(&*outer, &[0, 1]);
        assert!(stack.is_empty());
        assert!(stack.capacity() > 0, "the stack keeps its buffer");
    }
}
