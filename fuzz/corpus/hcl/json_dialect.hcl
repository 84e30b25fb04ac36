{"service": {"web": {"port": 80}, "db": {"port": 5432}}, "meta": null, "list": [1, true, [2]]}
