// Package query parses and evaluates OneRoster REST query parameters: the filter grammar, sort/orderBy, fields and limit/offset paging.
package query
