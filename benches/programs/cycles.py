# 10,000,000 objects, each holding its own bound method: every one is a reference cycle,
# which reference counting alone never frees. The point is peak RSS: bounded, by the cycle
# collector (src/gc.rs), as CPython's gc bounds it.
class Node:
    def __init__(self, n):
        self.n = n
        self.handler = self.on_event

    def on_event(self):
        return self.n


def main():
    total = 0
    for i in range(10_000_000):
        total += Node(i).handler()
    print("cycles total = %d" % total)

main()
