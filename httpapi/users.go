package httpapi

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/store"
)

// passwordChange, given to requireRole with the roles, admits an account that still has
// a temporary password: only to the routes that let it choose its own.
const passwordChange = "password-change"

// passwordChangeNeeded is the login message of an account with a temporary password.
const passwordChangeNeeded = "登录成功，请先修改临时密码 / Logged in: choose a new password to replace the temporary one"

// temporaryPassword makes a password an admin can read out to a colleague: 16 capitals
// and digits 2-7 (80 bits), no 0/O or 1/I to mix up.
func temporaryPassword() string { return rand.Text()[:16] }

// UserCreated answers an admin who created an account or reset its password: the
// temporary password is shown this once and must be changed at the first login.
type UserCreated struct {
	User              store.Account `json:"user"`
	TemporaryPassword string        `json:"temporaryPassword"`
}

func (s *accounts) handleCreateUser() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Username string `json:"username"`
			Role     string `json:"role"`
		}
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		var errs []FieldError
		name := store.NormalizeUsername(req.Username)
		switch {
		case name == "":
			errs = append(errs, FieldError{"username", "required"})
		case utf8.RuneCountInString(name) > 64 || strings.ContainsAny(name, " \t\r\n"):
			errs = append(errs, FieldError{"username", "at most 64 characters, no spaces"})
		}
		if req.Role != auth.RoleAgent && req.Role != auth.RoleAdmin {
			errs = append(errs, FieldError{"role", "agent or admin"})
		}
		if len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
		pw := temporaryPassword()
		hash, err := auth.HashPassword(pw)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		a, err := store.CreateAccount(r.Context(), s.DB, name, hash, req.Role)
		if errors.Is(err, store.ErrExists) {
			api.WriteError(w, http.StatusConflict, api.Conflict, "an account with this username exists", "username")
			return
		}
		if err == nil {
			a, err = store.SetTemporaryPassword(r.Context(), s.DB, a.ID, hash)
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.Log.Info("account created", "user_id", a.ID, "role", a.Role, "by", auth.PrincipalOf(r).Username)
		api.WriteJSON(w, http.StatusCreated, UserCreated{User: a, TemporaryPassword: pw})
	})
}

// accountOf reads the account named by the path, answering 404 itself.
func (s *accounts) accountOf(w http.ResponseWriter, r *http.Request) (store.Account, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		api.WriteError(w, http.StatusNotFound, api.NotFound, "no such account", "")
		return store.Account{}, false
	}
	a, err := store.AccountByID(r.Context(), s.DB, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		api.WriteError(w, http.StatusNotFound, api.NotFound, "no such account", "")
		return a, false
	case err != nil:
		s.serverError(w, r, err)
		return a, false
	}
	return a, true
}

func (s *accounts) handleDisableUser() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := s.accountOf(w, r)
		if !ok {
			return
		}
		if a.ID == auth.PrincipalOf(r).UserID {
			api.WriteError(w, http.StatusConflict, api.Conflict, "you cannot disable your own account", "")
			return
		}
		if err := store.DisableAccount(r.Context(), s.DB, a.Username); err != nil {
			s.serverError(w, r, err)
			return
		}
		a.Disabled = true
		s.Log.Info("account disabled", "user_id", a.ID, "by", auth.PrincipalOf(r).Username)
		api.WriteJSON(w, http.StatusOK, map[string]any{"user": a})
	})
}

// handleResetPassword gives an account a new temporary password and signs it out.
func (s *accounts) handleResetPassword() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := s.accountOf(w, r)
		if !ok {
			return
		}
		pw := temporaryPassword()
		hash, err := auth.HashPassword(pw)
		if err == nil {
			a, err = store.SetTemporaryPassword(r.Context(), s.DB, a.ID, hash)
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.Log.Info("password reset", "user_id", a.ID, "by", auth.PrincipalOf(r).Username)
		api.WriteJSON(w, http.StatusOK, UserCreated{User: a, TemporaryPassword: pw})
	})
}

// AccountView is the signed-in account, for the console.
type AccountView struct {
	ID                 int64  `json:"id"`
	Username           string `json:"username"`
	Role               string `json:"role"`
	MustChangePassword bool   `json:"mustChangePassword"`
}

func (s *accounts) handleAccount() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.PrincipalOf(r)
		api.WriteJSON(w, http.StatusOK, AccountView{ID: p.UserID, Username: p.Username, Role: p.Role, MustChangePassword: p.MustChangePassword})
	})
}

// handleChangePassword lets an account replace its password, given the current one. Every
// session of the account ends; the answer is a fresh login, in the login's fields.
func (s *accounts) handleChangePassword() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Current string `json:"current"`
			New     string `json:"new"`
		}
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		ctx := r.Context()
		a, err := store.AccountByID(ctx, s.DB, auth.PrincipalOf(r).UserID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(req.Current)) != nil {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "the current password is wrong", "current")
			return
		}
		if req.New == req.Current {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "the new password must differ from the current one", "new")
			return
		}
		hash, err := auth.HashPassword(req.New)
		if err != nil {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, err.Error(), "new")
			return
		}
		if a, err = store.ChangeOwnPassword(ctx, s.DB, a.ID, hash); err != nil {
			s.serverError(w, r, err)
			return
		}
		resp, err := s.issueTokens(ctx, a, uuid.Nil)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		resp.Message = "密码已修改 / Password changed"
		s.Log.Info("password changed", "user_id", a.ID)
		api.WriteJSON(w, http.StatusOK, resp)
	})
}

func (s *accounts) handleAdminUsers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		as, err := store.Accounts(r.Context(), s.DB)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		api.WriteJSON(w, http.StatusOK, map[string]any{"users": as})
	})
}
