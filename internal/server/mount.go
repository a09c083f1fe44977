package server

import "github.com/gofiber/fiber/v2"

// Mounter is a protocol's HTTP surface: it adds its routes to the app.
type Mounter interface {
	Mount(r fiber.Router)
}
