# asyncio counterpart of sched_switch.ta: 1,000 tasks x 1,000 `await asyncio.sleep(0)`.
import asyncio

NTASKS = 1000
NYIELDS = 1000


async def task(n):
    for _ in range(n):
        await asyncio.sleep(0)
    return n


async def main():
    tasks = [asyncio.create_task(task(NYIELDS)) for _ in range(NTASKS)]
    counts = await asyncio.gather(*tasks)
    print("switches = %d" % sum(counts))

asyncio.run(main())
