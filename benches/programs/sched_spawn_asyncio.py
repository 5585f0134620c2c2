# asyncio counterpart of sched_spawn.ta: 1,000,000 tasks created before the run, each awaiting
# asyncio.sleep(0) once.
import asyncio

N = 1000000
done = 0


async def short():
    global done
    await asyncio.sleep(0)
    done += 1


async def main():
    tasks = [asyncio.create_task(short()) for _ in range(N)]
    await asyncio.gather(*tasks)
    print("completed = %d" % done)

asyncio.run(main())
