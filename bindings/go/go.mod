module deployhook

go 1.19
