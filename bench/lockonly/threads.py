# bench/lockonly: a Python program whose threads hand items over through
# queue.Queue and a Lock (GIL, condition variables and mutexes underneath).
# Prints the sum of the items, the same in every run.
import threading, queue
q = queue.Queue(maxsize=1000)
lock = threading.Lock()
total = [0]
N, P = 300000, 2
def producer():
    for i in range(N):
        q.put(i)
def consumer():
    while True:
        i = q.get()
        if i is None:
            return
        with lock:
            total[0] += i
ps = [threading.Thread(target=producer) for _ in range(P)]
cs = [threading.Thread(target=consumer) for _ in range(P)]
for t in ps + cs:
    t.start()
for t in ps:
    t.join()
for _ in cs:
    q.put(None)
for t in cs:
    t.join()
print(total[0])
