# asyncio counterpart of sched_pingpong.ta: 1,000,000 items through asyncio.Queue(10).
import asyncio

N = 1000000


async def producer(q):
    for i in range(N):
        await q.put(i)
    await q.put(None)


async def consumer(q):
    total = 0
    while True:
        v = await q.get()
        if v is None:
            break
        total += v
    print("received sum =", total)


async def main():
    q = asyncio.Queue(maxsize=10)
    await asyncio.gather(producer(q), consumer(q))

asyncio.run(main())
