package scim

// WithMethodOverride returns a copy of the client that sends Access PATCHes as POST with
// X-HTTP-Method-Override: PATCH (for proxies that drop PATCH).
func (c *Client) WithMethodOverride() *Client {
	o := c.o
	o.MethodOverride = true
	return New(c.hc, c.base, o)
}
