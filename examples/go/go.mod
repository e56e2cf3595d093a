module deployhook/examples

go 1.19

require deployhook v0.0.0

replace deployhook => ../../bindings/go
