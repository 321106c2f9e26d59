package access

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/object"
)

// FindTemplates reads the OAuth2 app templates that look like the mobile flows server
// template: the one named id when it exists (then the only candidate), else every template
// whose redirect URI is redirectURI. Reads only.
func (c *Client) FindTemplates(ctx context.Context, id, redirectURI string) ([]Template, error) {
	byID := func() (*Template, error) { t, _, err := c.GetTemplate(ctx, id); return t, err }
	return object.Candidates(id, byID, func() ([]Template, error) {
		all, err := c.ListTemplates(ctx)
		if err != nil {
			return nil, err
		}
		return object.Keep(all, func(t Template) bool {
			return strings.EqualFold(strings.TrimRight(t.RedirectURI, "/"), strings.TrimRight(redirectURI, "/"))
		}, nil), nil
	})
}

// TemplateConfig is t as access.mobileFlowsTemplate writes it (TTLs from minutes).
func TemplateConfig(t Template) config.MobileFlowsTemplate {
	return config.MobileFlowsTemplate{
		TemplateID:        t.AppProductID,
		Scope:             strings.Fields(t.Scope),
		RedirectURI:       t.RedirectURI,
		TokenType:         t.TokenType,
		TokenLength:       t.Length,
		IssueRefreshToken: slices.Contains(strings.Fields(t.AuthGrantTypes), "refresh_token"),
		AccessTokenTTL:    minutes(t.AccessTokenTTL),
		RefreshTokenTTL:   minutes(t.RefreshTokenTTL),
		IdleTokenTTL:      minutes(t.RefreshTokenIdleTTL),
		UserGrant:         t.DisplayUserGrant,
	}
}

// FindSCIMClients reads the service clients that can serve Okta's SCIM calls: the one named id
// when it exists (the only candidate then), else every client with scope admin and the client
// credentials grant. Their secrets are never read.
func (c *Client) FindSCIMClients(ctx context.Context, id string) ([]OAuthClient, error) {
	byID := func() (*OAuthClient, error) {
		o, _, err := c.GetOAuthClient(ctx, id)
		if o != nil {
			r := o.Redacted()
			o = &r
		}
		return o, err
	}
	return object.Candidates(id, byID, func() ([]OAuthClient, error) {
		sums, err := c.ListOAuthClients(ctx)
		if err != nil {
			return nil, err
		}
		var out []OAuthClient
		for _, s := range sums {
			if !slices.Contains(strings.Fields(s.Scope), "admin") {
				continue
			}
			o, _, err := c.GetOAuthClient(ctx, s.ClientID)
			if err != nil {
				return nil, err
			}
			if o != nil && slices.Contains(strings.Fields(o.AuthGrantTypes), "client_credentials") && !o.InternalSystemClient {
				out = append(out, o.Redacted())
			}
		}
		return out, nil
	})
}

// SCIMClientConfig is o as access.scimClient writes it; sink is where its secret is kept.
func SCIMClientConfig(o OAuthClient, sink config.SecretRef) config.SCIMClient {
	return config.SCIMClient{ClientID: o.ClientID, Scope: strings.Fields(o.Scope), AccessTokenTTL: minutes(o.AccessTokenTTL), SecretSink: sink}
}

// FindOtherDirectories reads the directories of type Other (with their domains): the one named
// name when it exists (the only candidate then), else all of them.
func (c *Client) FindOtherDirectories(ctx context.Context, name string) ([]Directory, error) {
	all, err := c.ListDirectories(ctx)
	if err != nil {
		return nil, err
	}
	out := object.Keep(all, func(d Directory) bool { return d.Type == TypeOther && !d.DeleteInProgress },
		func(d Directory) bool { return name != "" && strings.EqualFold(d.Name, name) })
	for i := range out {
		ds, err := c.DirectoryDomains(ctx, out[i].DirectoryID)
		if err != nil {
			return nil, err
		}
		out[i].Domains = ds
	}
	return out, nil
}

func minutes(n int64) config.Duration {
	d := time.Duration(n) * time.Minute
	return config.Duration{D: d, Raw: config.FormatDuration(d)}
}
