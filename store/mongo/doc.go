// Package mongo stores Passport Bridge records in MongoDB.
package mongo
